export { pairedGain, tQuantile975, type PairedGain } from '../vocabulary/paired';
