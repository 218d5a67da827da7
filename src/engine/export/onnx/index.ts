/** Model file → ONNX (QDQ). TF.js-free: the page's main thread, Workers and Node import this alike. */
export { modelFileToOnnx, ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET, ONNX_OUTPUT, type OnnxExport, type OnnxExportOptions, type OnnxLayerSummary } from './convert';
export { FASHION_MNIST_NORMALIZATION, resolveNormalization, type PixelNormalization, type ResolvedNormalization } from './normalization';
export { dequantizeCodes, quantRange, roundHalfEven, weightCodes } from './quant-codes';
