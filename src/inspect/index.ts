// Public API of src/inspect (filled as the stage lands).
export {};
