/**
 * Requests the collector received, in order, for the run to ingest one after another: an async
 * iterable that ends when the collector stops.
 */
export class RequestQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting?: () => void;
  private ended = false;

  push(item: T): void {
    if (this.ended) throw new Error('the queue has ended');
    this.items.push(item);
    this.wake();
  }

  /** No more items: the iteration ends once those queued are taken. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Ends the queue now: the items nobody took are handed back. */
  abandon(): T[] {
    this.end();
    return this.items.splice(0);
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}
