// A seam for per-request measurements (metrics): the pipeline reports each request here.

export interface RequestObserver {
  observe(method: string, route: string, status: number, seconds: number): void;
}

export const requestObserver: { observe: RequestObserver['observe'] } = {
  observe: () => undefined,
};

/** Installs the observer that receives every request's route, status and latency. */
export function setRequestObserver(observer: RequestObserver): void {
  requestObserver.observe = observer.observe.bind(observer);
}
