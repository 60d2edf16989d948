/** Like Promise.all, but settles only once every promise has: no work outlives the operation that started it. */
export async function allOrFirstError(promises: Promise<void>[]): Promise<void> {
  for (const result of await Promise.allSettled(promises)) if (result.status === 'rejected') throw result.reason;
}
