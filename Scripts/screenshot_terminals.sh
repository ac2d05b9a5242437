#!/usr/bin/env bash
# Screenshots of the explorer's previews in real terminals, under a virtual X server:
#   kitty            (kitty graphics protocol)      → docs/screens/kitty-list.png, kitty-grid.png
#   xterm -ti vt340  (sixel, 256 colour registers)  → docs/screens/xterm-sixel-list.png, xterm-sixel-grid.png
#   tmux, symbols    (text capture-pane -p)         → docs/screens/tmux-symbols.txt
# Each opens `clipscope explore --model demo` on a folder of real photographs and photo-like pictures:
# the photos scikit-image ships in its wheel (skimage/data: NASA's astronaut and rocket, the cat
# "chelsea", a coffee cup, a motorcycle, the Hubble deep field; public domain or CC0, taken from the
# wheel with `pip download`, no install) and ImageMagick's rose, plus scenes ImageMagick draws here
# (fractal clouds, sky/sea/sand, sunsets), in JPEG, PNG, WebP, GIF, TIFF, BMP, HEIC and AVIF. It types a
# query, Enter, takes the list screenshot, presses v, takes the grid screenshot (`import -window root`),
# then q. Without network access to PyPI the photos folder holds only ImageMagick's pictures.
#
# Needs: kitty xterm xvfb imagemagick xdotool tmux (Debian packages; not test dependencies), python3 -m pip.
# Usage: Scripts/screenshot_terminals.sh [OUT_DIR]   (CLIPSCOPE=path/to/clipscope to pick the binary)
# kitty needs OpenGL 3.3: under Xvfb that is Mesa's llvmpipe (software); LIBGL_ALWAYS_SOFTWARE=1 is set.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/screens}
BIN=${CLIPSCOPE:-}
if [[ -z "$BIN" ]]; then
    # The newest build (a stale release binary may predate the options used here).
    BIN=$(ls -t .build/release/clipscope .build/debug/clipscope 2>/dev/null | head -1 || true)
fi
[[ -x "${BIN:-}" ]] || { echo "screenshot_terminals: build clipscope first (swift build)" >&2; exit 1; }
BIN=$(realpath "$BIN")
for tool in kitty xterm xvfb-run import convert xdotool tmux; do
    command -v "$tool" >/dev/null || { echo "screenshot_terminals: $tool is missing (apt-get install kitty xterm xvfb imagemagick xdotool tmux)" >&2; exit 1; }
done
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/clipscope-shots.XXXXXX)
trap '[[ -n "${KEEP:-}" ]] || rm -rf "$WORK"' EXIT
PHOTOS=$WORK/photos
mkdir -p "$PHOTOS"/{sky,sunset,misc}
export CLIPSCOPE_CACHE_DIR=$WORK/cache LANG=C.UTF-8 LC_ALL=C.UTF-8 LIBGL_ALWAYS_SOFTWARE=1
QUERY=${QUERY:-something blue}

# Photo-like pictures: smooth gradients, fractal texture, soft edges; several formats and sizes.
for i in 1 2; do
    convert -size 1600x1067 -seed $((i * 7)) plasma:skyblue-white -blur 0x6 \
        \( -size 1600x400 gradient:'#1d5f9c'-'#0b3d6b' \) -gravity south -composite \
        \( -size 1600x160 gradient:'#e8d6a8'-'#c9b07a' \) -gravity south -composite "$PHOTOS/sky/beach-$i.jpg"
done
convert -size 1200x800 -seed 11 plasma:dodgerblue-navy -blur 0x3 "$PHOTOS/sky/deep-water.webp"
convert -size 1024x768 -seed 5 plasma:lightblue-steelblue -blur 0x12 "$PHOTOS/sky/clouds.png"
for i in 1 2; do
    convert -size 1400x933 gradient:'#ff9a3c'-'#5b2a86' \
        -fill '#ffe27a' -draw "circle $((500 + i * 200)),520 $((560 + i * 200)),520" -blur 0x4 \
        \( -size 1400x260 -seed $i plasma:black-'#2b1436' -blur 0x2 \) -gravity south -composite "$PHOTOS/sunset/sunset-$i.jpg"
done
convert -size 900x900 -seed 3 plasma:forestgreen-darkolivegreen -blur 0x4 "$PHOTOS/misc/forest.tif"
convert -size 800x600 -seed 9 plasma:firebrick-orange -blur 0x5 "$PHOTOS/misc/autumn.bmp"
convert rose: -resize 800x520 "$PHOTOS/misc/rose.jpg"
convert wizard: -resize 600x "$PHOTOS/misc/wizard.gif"
convert -size 1000x700 -seed 21 plasma:gold-darkgreen -blur 0x8 "$PHOTOS/misc/meadow.webp"

# Real photographs from scikit-image's wheel, each in another format.
if python3 -m pip download --no-deps --quiet --dest "$WORK/wheel" scikit-image >/dev/null 2>&1 &&
   unzip -q -j -d "$WORK/skdata" "$WORK"/wheel/scikit_image-*.whl 'skimage/data/astronaut.png' \
        'skimage/data/chelsea.png' 'skimage/data/coffee.png' 'skimage/data/rocket.jpg' \
        'skimage/data/motorcycle_left.png' 'skimage/data/hubble_deep_field.jpg' 2>/dev/null; then
    mkdir -p "$PHOTOS/photos"
    convert "$WORK/skdata/astronaut.png" -quality 90 "$PHOTOS/photos/astronaut.jpg"
    convert "$WORK/skdata/chelsea.png" -quality 60 "$PHOTOS/photos/cat.heic"
    convert "$WORK/skdata/coffee.png" -quality 60 "$PHOTOS/photos/coffee.avif"
    convert "$WORK/skdata/rocket.jpg" -quality 85 "$PHOTOS/photos/rocket.webp"
    convert "$WORK/skdata/motorcycle_left.png" -compress lzw "$PHOTOS/photos/motorcycle.tif"
    cp "$WORK/skdata/hubble_deep_field.jpg" "$PHOTOS/photos/hubble.jpg"
    rm -f "$PHOTOS/misc/wizard.gif"
    convert "$WORK/skdata/chelsea.png" -resize 300x "$PHOTOS/photos/cat-small.gif"
else
    echo "screenshot_terminals: scikit-image's wheel is not reachable; no real photographs besides the rose" >&2
fi

# Index once (the explorer then opens with every vector cached).
"$BIN" index --model demo "$PHOTOS" >/dev/null

# shot TERMINAL_NAME PREVIEW COMMAND...: run the explorer in a terminal under Xvfb, type the query,
# screenshot the list and the grid.
shot() {
    local name=$1 mode=$2; shift 2
    xvfb-run -a -s "-screen 0 1280x760x24" bash -c '
        set -u
        "$@" &
        term=$!
        sleep 6
        xdotool mousemove 600 380
        xdotool type --delay 60 "$QUERY"
        xdotool key Return
        sleep 3
        import -window root "$SHOT-list.png"
        xdotool type v
        sleep 4
        import -window root "$SHOT-grid.png"
        xdotool type q
        sleep 1
        kill $term 2>/dev/null || true
        wait $term 2>/dev/null || true
    ' shot "$@"
    for v in list grid; do
        [[ -s "$SHOT-$v.png" ]] || { echo "screenshot_terminals: $name: no screenshot" >&2; return 1; }
        # Small files for the docs: 256 colours, stripped metadata.
        convert "$SHOT-$v.png" -strip -colors 256 "PNG8:$OUT/$name-$v.png"
    done
    echo "$OUT/$name-list.png $OUT/$name-grid.png"
}
export QUERY
EXPLORE="$BIN explore --model demo --no-mouse --preview"

export SHOT=$WORK/kitty
shot kitty kitty \
    kitty --config NONE -o font_size=10 -o remember_window_size=no -o initial_window_width=1280 \
          -o initial_window_height=760 -o placement_strategy=top-left -o window_padding_width=0 \
          sh -c "$EXPLORE kitty '$PHOTOS'"

export SHOT=$WORK/xterm
shot xterm-sixel sixel \
    xterm -ti vt340 -tn xterm-256color -xrm 'XTerm*numColorRegisters: 256' -xrm 'XTerm*sixelScrolling: true' \
          -xrm 'XTerm*decTerminalID: vt340' -xrm 'XTerm*privateColorRegisters: true' \
          -xrm 'XTerm*color8: #808080' -fa Monospace -fs 10 -geometry 126x37+0+0 \
          -bg black -fg gray90 -e sh -c "$EXPLORE sixel '$PHOTOS'"

# tmux in symbols mode: a text capture (the glyphs; colours are not in a text capture).
tmux -L clipscope-shots kill-server 2>/dev/null || true
tmux -L clipscope-shots new-session -d -x 100 -y 30 "$EXPLORE symbols '$PHOTOS'"
sleep 4
tmux -L clipscope-shots send-keys "$QUERY" Enter
sleep 3
tmux -L clipscope-shots capture-pane -p > "$OUT/tmux-symbols-list.txt"
tmux -L clipscope-shots send-keys v
sleep 3
tmux -L clipscope-shots capture-pane -p > "$OUT/tmux-symbols-grid.txt"
tmux -L clipscope-shots send-keys q
sleep 1
tmux -L clipscope-shots kill-server 2>/dev/null || true
echo "$OUT/tmux-symbols-list.txt $OUT/tmux-symbols-grid.txt"
