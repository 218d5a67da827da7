/** A set of images with one label each. Images are HWC uint8, `count * height * width * channels` bytes. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** A labeled image classification dataset with a train and a test set of the same image size. */
export interface Dataset {
  name: string;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  classNames: string[];
  train: ImageSet;
  test: ImageSet;
}
