// Public API of src/formats/torch.
export {};
