// Public API of src/demo: synthetic sample data, a tiny Mistral-shaped model and the end-to-end run.
export { DemoRandom } from './random.js';
export { drawScene, textDocument, type Scene } from './scenes.js';
export { writeDemoRawData, type DemoRawOptions, type DemoRawResult } from './raw-data.js';
export { writeTinyMistral, tinyMistralConfig, type TinyMistralOptions, type TinyMistralResult } from './tiny-model.js';
export {
  runDemo,
  formatDemoTable,
  formatDemoBytes,
  demoBaseTokenizer,
  demoPathBytes,
  type DemoOptions,
  type DemoResult,
  type DemoStage,
  type DemoStageStatus,
  type DemoPaths,
} from './run-demo.js';
