#!/bin/sh
# Vendor Plotly's published partial bundle "basic" (scatter, bar, pie) for the HTML report, at exactly the
# plotly.js version that the installed plotly.py ships (so the figures plotly.py builds match the bundle).
#
#   scripts/vendor-plotly.sh [TARBALL]
#
# Without TARBALL it runs `npm pack plotly.js-basic-dist-min@VERSION` (the npm registry). The result is
# src/parley/report/assets/plotly-basic.min.js (the bundle as published, licence header included) and
# src/parley/report/assets/LICENSE-plotly.txt (the package's MIT licence).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
version=$("$python" -c 'from plotly.offline import get_plotlyjs_version; print(get_plotlyjs_version())')
out="$here/src/parley/report/assets"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
    tarball=$1
else
    (cd "$work" && npm pack --silent "plotly.js-basic-dist-min@$version" >/dev/null)
    tarball="$work/plotly.js-basic-dist-min-$version.tgz"
fi
tar -xzf "$tarball" -C "$work"
got=$(sed -n 's/^\* plotly\.js (basic - minified) v\([0-9.]*\)$/\1/p' "$work/package/plotly-basic.min.js" | head -n 1)
if [ "$got" != "$version" ]; then
    echo "bundle is plotly.js $got, plotly.py ships $version: refusing" >&2
    exit 1
fi
mkdir -p "$out"
cp "$work/package/plotly-basic.min.js" "$out/plotly-basic.min.js"
{
    echo "src/parley/report/assets/plotly-basic.min.js is plotly.js-basic-dist-min $version from the npm registry,"
    echo "unmodified (made by scripts/vendor-plotly.sh). Its licence:"
    echo
    cat "$work/package/LICENSE"
} >"$out/LICENSE-plotly.txt"
sha256sum "$out/plotly-basic.min.js"
