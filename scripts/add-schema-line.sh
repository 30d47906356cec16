#!/usr/bin/env bash
# Makes the first line of every scenario file under scenarios/ point the YAML language server at
# docs/scenario.schema.json, so editors complete and check scenarios:
#   # yaml-language-server: $schema=../../docs/scenario.schema.json
# The path is relative to each file. Idempotent: a file whose first line already names a schema
# for the language server is left alone. Lists the files it changed.
set -euo pipefail
cd "$(dirname "$0")/.."

changed=0
while IFS= read -r -d '' f; do
  if head -n 1 "$f" | grep -q '^# yaml-language-server:'; then continue; fi
  dir=$(dirname "$f")
  up=$(echo "$dir" | sed -E 's#[^/]+#..#g')
  tmp=$(mktemp "$f.XXXXXX")
  { printf '# yaml-language-server: $schema=%s/docs/scenario.schema.json\n' "$up"; cat "$f"; } > "$tmp"
  chmod --reference="$f" "$tmp"
  mv "$tmp" "$f"
  echo "added to $f"
  changed=$((changed + 1))
done < <(find scenarios -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z)
echo "$changed file(s) changed"
