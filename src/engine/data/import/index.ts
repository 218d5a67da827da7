export { importDataset } from './import-dataset';
export { checkDatasetUrl, fetchDatasetFile, DatasetFetchError, type FetchOptions, type UrlCheck } from './fetch-file';
export { datasetId, slugify, SHIPPED_DATASET_ID } from './dataset-id';
export { DEFAULT_MAX_IMAGE_BYTES, type DatasetImport, type FileReport, type ImportOptions, type InputFile } from './types';
