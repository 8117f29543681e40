/**
 * safetensors dtype table: element sizes, the names solo uses elsewhere (torch's), and the
 * order Python safetensors (0.4.x) sorts tensors by when serialising (its `Dtype` enum order;
 * tensors are written by dtype descending, then by name ascending).
 */
import { SoloError } from '../../errors.js';

export type SafetensorsDType =
  | 'BOOL' | 'U8' | 'I8' | 'F8_E5M2' | 'F8_E4M3' | 'I16' | 'U16' | 'F16' | 'BF16'
  | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

/** Enum order of safetensors' Rust `Dtype` (0.4.2): the sort key of the serializer. */
export const SAFETENSORS_DTYPE_ORDER: readonly SafetensorsDType[] = [
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
];

export const SAFETENSORS_ITEMSIZE: Readonly<Record<SafetensorsDType, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

const TO_TORCH: Partial<Record<SafetensorsDType, string>> = {
  BOOL: 'bool', U8: 'uint8', I8: 'int8', I16: 'int16', F16: 'float16', BF16: 'bfloat16',
  I32: 'int32', F32: 'float32', F64: 'float64', I64: 'int64',
};

/** safetensors dtype → torch dtype name (`float32`, `bfloat16`…); throws for types torch 1.13 lacks. */
export function safetensorsToTorchDType(d: SafetensorsDType): string {
  const t = TO_TORCH[d];
  if (!t) throw new SoloError(`safetensors dtype ${d} has no torch equivalent here`);
  return t;
}

/** torch dtype name → safetensors dtype. */
export function torchToSafetensorsDType(t: string): SafetensorsDType {
  for (const [k, v] of Object.entries(TO_TORCH)) if (v === t) return k as SafetensorsDType;
  throw new SoloError(`torch dtype ${t} cannot be stored in safetensors`);
}

export function isSafetensorsDType(s: unknown): s is SafetensorsDType {
  return typeof s === 'string' && (SAFETENSORS_DTYPE_ORDER as readonly string[]).includes(s);
}
