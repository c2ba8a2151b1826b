#!/usr/bin/env bash
# test-train-py.sh — tools/train.py smoke test on the CPU: one process; two processes
# (gloo) started by its --nproc launcher; and --resume (a 6-step run stopped after 3 and
# resumed equals 6 steps straight, to the bit).  Skipped (exit 77) when /usr/bin/python3
# has no PyTorch.  TAP-style lines for the log; the exit status decides.
#   test-train-py.sh SOURCE_ROOT VITASCOPE_CLI
set -u
src=$1 cli=$2
py=${VITA_PYTHON:-/usr/bin/python3}  # override to check the skip path
if ! [ -x "$py" ] || ! "$py" -c 'import numpy, torch, torch.distributed as d; assert d.is_gloo_available()' 2>/dev/null; then
  echo "1..0 # SKIP no PyTorch with gloo in $py (Debian: python3-torch)"
  exit 77
fi
n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n $1"; }
run () {  # name, command...: ok when it exits 0; its stderr goes to the log as comments
  local name=$1; shift
  if "$@" >"$tmp/log" 2>&1; then ok "$name"; else sed 's/^/# /' "$tmp/log"; not_ok "$name"; fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vita-trainpy-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1
"$py" - "$tmp/data" <<'PY'
import os, sys, numpy as np
d = sys.argv[1]
os.makedirs(d)
rng = np.random.default_rng(0)
for i in range(4):  # the "test" preset: 16 mel bands, 8-frame views; 400 frames ≈ 13 s
    np.save(os.path.join(d, "track%d.logmel.npy" % i), rng.normal(-4, 2, (400, 16)).astype(np.float32))
PY
common=(--config test --batch 4 --threads 1 --device cpu --val-fraction 0)
train=$src/tools/train.py

run "one process, 6 steps" "$py" "$train" "$tmp/data" --out "$tmp/one.safetensors" --steps 6 "${common[@]}"
run "the model loads in vitascope-cli" "$cli" info "$tmp/one.safetensors"

run "two processes (gloo) through --nproc 2" \
  timeout 300 "$py" "$train" "$tmp/data" --out "$tmp/two.safetensors" --steps 4 --nproc 2 "${common[@]}"
if grep -q "distributed: world size 2 (gloo)" "$tmp/log"; then ok "world size 2 over gloo"; else sed 's/^/# /' "$tmp/log"; not_ok "world size 2 over gloo"; fi
run "the two-process model loads in vitascope-cli" "$cli" info "$tmp/two.safetensors"

# a failing rank stops the launcher with an error, not a hang
if ! timeout 120 "$py" "$train" "$tmp/nothing" --out "$tmp/x.safetensors" --steps 2 --nproc 2 "${common[@]}" >"$tmp/log" 2>&1 \
   && grep -q "no audio file" "$tmp/log"; then
  ok "missing data: both ranks fail, the launcher exits non-zero"
else
  sed 's/^/# /' "$tmp/log"; not_ok "missing data: both ranks fail, the launcher exits non-zero"
fi

# --resume: a 6-step run stopped after 3, then resumed == 6 steps straight
run "a 6-step run stopped after step 3" "$py" "$train" "$tmp/data" --out "$tmp/half.safetensors" \
  --steps 6 --stop-after 3 --checkpoint "$tmp/half.ckpt.safetensors" "${common[@]}"
if [ ! -e "$tmp/half.safetensors" ] && grep -q "stopped after step 3" "$tmp/log"; then
  ok "stopped: a checkpoint, no model file"; else not_ok "stopped: a checkpoint, no model file"; fi
run "--resume to 6 steps" "$py" "$train" "$tmp/data" --out "$tmp/resumed.safetensors" --steps 6 \
  --resume "$tmp/half.ckpt.safetensors" "${common[@]}"
if grep -q "resumed from .* at step 3" "$tmp/log"; then ok "resumed at step 3"; else sed 's/^/# /' "$tmp/log"; not_ok "resumed at step 3"; fi
if "$py" - "$tmp/one.safetensors" "$tmp/resumed.safetensors" >"$tmp/log" 2>&1 <<'PY'
import json, struct, sys
def tensors(p):
    with open(p, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n)); d = f.read()
    h.pop("__metadata__")
    return {k: d[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in h.items()}
a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
diff = [k for k in a if a[k] != b.get(k)]
print("tensors differing:", diff[:5])
sys.exit(1 if diff or a.keys() != b.keys() else 0)
PY
then ok "resumed weights equal the uninterrupted run's, bit for bit"
else sed 's/^/# /' "$tmp/log"; not_ok "resumed weights equal the uninterrupted run's, bit for bit"; fi
echo "1..$n"
exit $failed
