export { BACKEND_NAMES, type AdapterInfo, type BackendChoice, type BackendName, type BackendReport } from '../vocabulary/backends';
