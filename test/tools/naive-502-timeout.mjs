#!/usr/bin/env node
// A deliberately naive diagnostic tool for the scorer's test: every 502 in ARR's W3SVC logs is
// "member-timeout". It also shows the answer protocol in a few lines (docs/tools.md).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const bundle = process.argv[2];
const files = [];
const walk = (d) => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : files.push(join(d, n))));
walk(join(bundle, 'arr'));
const requests = [];
for (const file of files.filter((f) => /u_ex\d+\.log$/.test(f))) {
  let fields = [];
  readFileSync(file, 'latin1').split('\r\n').forEach((line, i) => {
    if (line.startsWith('#Fields: ')) fields = line.slice(9).split(' ');
    else if (line && !line.startsWith('#') && line.split(' ')[fields.indexOf('sc-status')] === '502') {
      requests.push({ key: `${relative(bundle, file)}:${i + 1}`, class: 'member-timeout' });
    }
  });
}
console.log(JSON.stringify({ requests }));
