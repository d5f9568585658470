/** One page of a window, fully written and then recorded; pages are checkpointed strictly in order. */
export interface PageCheckpoint {
  readonly instanceId: number;
  readonly executionId: number;
  readonly page: number;
  readonly rowsFetched: number;
  readonly rowsPublished: number;
  readonly rowsRejected: number;
}

/** The window is exhausted at the first page holding fewer rows than asked for (Toss gives no total). */
export const isLastPage = (rows: number, size: number): boolean => rows < size;
