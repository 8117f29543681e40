// Public API of src/chat (filled as the stage lands).
export {};
