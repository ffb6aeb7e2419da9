#!/bin/sh
# Renders images/src/*.svg to the PNGs the pages reference (images/<name>.png).
# Needs Debian's librsvg2-bin (rsvg-convert) and fonts-noto-cjk (Hangul glyphs).
set -eu
cd "$(dirname "$0")"
for source in src/*.svg; do
	name=$(basename "$source" .svg)
	rsvg-convert --format=png --output="$name.png" "$source"
	echo "images/$name.png"
done
