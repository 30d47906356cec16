// The log guard (see log-guard.ts): told over stdin which log files its parent is appending to
// (`+path` when one is created, `-path` when its log closes), it waits for stdin to end. That
// happens however the parent ends; when the parent was killed in the middle of a write, a file may
// end in part of a line, and the guard cuts that part off so every file holds whole lines only
// (a file left with no whole line, killed while being created, is removed).
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync } from 'node:fs';

// The parent handles these (Ctrl-C reaches the whole process group): the guard must outlive it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

const watched = new Set();
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (buffered + chunk).split('\n');
  buffered = lines.pop();
  for (const line of lines) {
    if (line.startsWith('+')) watched.add(line.slice(1));
    else if (line.startsWith('-')) watched.delete(line.slice(1));
  }
});
process.stdin.on('end', () => {
  for (const file of watched) {
    const { cut, left } = cutTornTail(file);
    if (left === 0) {
      // Created and killed before its directive block was whole: the lab never wrote a line here.
      unlinkSync(file);
      process.stderr.write(`arr-lab: ${file}: the lab was killed while creating it; removed the file\n`);
    } else if (cut > 0) {
      process.stderr.write(`arr-lab: ${file}: the lab was killed while writing it; removed the ${cut}-byte half-written last line\n`);
    }
  }
});

/** Truncates `file` after its last line end: the bytes removed and the bytes left (undefined: no such file). */
function cutTornTail(file) {
  let fd;
  try {
    fd = openSync(file, 'r+');
  } catch {
    return { cut: 0, left: undefined }; // never created, or removed since
  }
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    let whole = 0;
    for (let end = size; end > 0 && whole === 0; ) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const at = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (at >= 0) whole = start + at + 1;
      end = start;
    }
    if (whole < size) ftruncateSync(fd, whole);
    return { cut: size - whole, left: whole };
  } finally {
    closeSync(fd);
  }
}
