import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/**
 * Profiling of a bench child on request, so a profile covers the measured traffic only (not
 * start-up and module compilation, which `node --cpu-prof` would include): V8's CPU sampler, or
 * its sampling heap profiler (allocations still live when it stops, with their call sites).
 */
export function profilerCommands(base: string) {
  let session: Session | undefined;
  const open = async () => {
    if (session) throw new Error('a profile is already running');
    session = new Session();
    session.connect();
  };
  const close = async (file: string, data: unknown) => {
    session?.disconnect();
    session = undefined;
    await writeFile(file, JSON.stringify(data));
    return file;
  };
  return {
    'profile-start': async () => {
      await open();
      await session!.post('Profiler.enable');
      await session!.post('Profiler.setSamplingInterval', { interval: 100 });
      await session!.post('Profiler.start');
      return true;
    },
    'profile-stop': async () => close(`${base}.cpuprofile`, (await session!.post('Profiler.stop')).profile),
    'heap-start': async () => {
      await open();
      await session!.post('HeapProfiler.enable');
      await session!.post('HeapProfiler.startSampling', { samplingInterval: 1024 });
      return true;
    },
    /** Every allocation sampled, collected or not: where a request's garbage comes from. */
    'alloc-start': async () => {
      await open();
      await session!.post('HeapProfiler.enable');
      await session!.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      return true;
    },
    'heap-stop': async () => close(`${base}.heapprofile`, (await session!.post('HeapProfiler.stopSampling')).profile),
  };
}
