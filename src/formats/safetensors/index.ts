// Public API of src/formats/safetensors.
export {};
