#!/usr/bin/env bash
# Pictures of the embedded emoji dataset for `cart serve --pictures DIR`: the 64 px Twemoji PNGs its embeddings were
# computed from (npm package emoji-datasource-twitter@16.0.0, the one prepare.js reads), one DIR/ID.png per item of
# cart/src/main/resources/datasets/emoji/items.tsv, plus DIR/ATTRIBUTION.txt. The dataset itself ships no images.
# Needs npm (the registry is contacted once, about 60 MB) and tar.
# Usage: cart/prep/emoji/fetch-pictures.sh DIR
set -euo pipefail
OUT=${1:?usage: fetch-pictures.sh DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ITEMS=$HERE/../../src/main/resources/datasets/emoji/items.tsv
PKG=emoji-datasource-twitter
VERSION=16.0.0
SHA1=e2bd39a8acb77e158106f8249dd7b4cd93fa1b14 # the registry's dist.shasum of that version
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$PKG@$VERSION" > /dev/null)
tgz=$tmp/$PKG-$VERSION.tgz
echo "$SHA1  $tgz" | sha1sum -c --quiet - || { echo "fetch-pictures: $PKG-$VERSION.tgz does not match its registry checksum" >&2; exit 1; }
tar xzf "$tgz" -C "$tmp" package/img/twitter/64 package/LICENSE
mkdir -p "$OUT"
n=0
missing=0
while IFS=$'\t' read -r id _; do
  src=$tmp/package/img/twitter/64/${id,,}.png # emoji-datasource names its images by the lower-case code points
  if [ -f "$src" ]; then
    cp "$src" "$OUT/$id.png"
    n=$((n + 1))
  else
    missing=$((missing + 1))
  fi
done < "$ITEMS"
{
  echo "Twemoji graphics by Twitter, Inc and other contributors (https://github.com/jdecked/twemoji), licensed CC-BY 4.0"
  echo "(https://creativecommons.org/licenses/by/4.0/), as shipped by the npm package $PKG@$VERSION (MIT, Cal Henderson),"
  echo "whose license follows. Files renamed to the emoji dataset's item ids."
  echo
  cat "$tmp/package/LICENSE"
} > "$OUT/ATTRIBUTION.txt"
echo "$n pictures in $OUT$([ "$missing" -gt 0 ] && echo " ($missing items without one)")"
