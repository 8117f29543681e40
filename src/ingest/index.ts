// Public API of src/ingest (filled as the stage lands).
export {};
