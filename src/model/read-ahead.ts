/**
 * One-tensor read-ahead for writers that pull tensor data through callbacks in a known order:
 * while tensor i is being written, tensor i+1 is already being read and converted, overlapping
 * input I/O and CPU with output I/O. At most one extra tensor is held. If the writer asks in a
 * different order than predicted, the prefetched tensor is dropped and the asked one produced
 * directly (correctness never depends on the prediction).
 */
export class ReadAhead<T> {
  private pending: { i: number; p: Promise<T> } | undefined;
  constructor(private readonly produce: (i: number) => Promise<T>, private readonly count: number) {}

  get(i: number): Promise<T> {
    let p: Promise<T>;
    if (this.pending?.i === i) p = this.pending.p;
    else p = this.produce(i);
    this.pending = undefined;
    if (i + 1 < this.count) {
      const next = this.produce(i + 1);
      next.catch(() => {}); // surfaced when (and if) it is asked for
      this.pending = { i: i + 1, p: next };
    }
    return p;
  }
}

/** torch.save writes storages in key order sorted as strings ("0", "1", "10", "11", …, "2"…), keys being encounter indices. */
export function torchWriteOrder(n: number): number[] {
  return [...Array(n).keys()].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}
