// What a promise rejects with, for tests that look at a thrown error's fields; a failure when it resolves instead.
export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
