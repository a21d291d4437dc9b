#!/bin/sh
# The paper's MNIST one-class experiment (as the original experiments/mnist_svdd_exp.sh): normal digits 0..9 ×
# seeds 1..10, one-class Deep SVDD with pretraining, 150 epochs, Adam 1e-4 (÷10 at epoch 50), each digit vs all.
# Runs go to log/mnist/deepSVDD/<d>vsall/seed_<s>/; JOBS runs in parallel (default: the number of cores).
# A run whose results.json says "finished" is skipped, so rerunning the script finishes what is missing.
here=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
for d in 0 1 2 3 4 5 6 7 8 9; do
  for s in 1 2 3 4 5 6 7 8 9 10; do
    echo "$d $s"
  done
done | xargs -P "$jobs" -n 2 sh -c '
  d=$0; s=$1; xp="mnist/deepSVDD/${d}vsall/seed_${s}"
  if grep -qs "\"status\": \"finished\"" "log/$xp/results.json"; then echo "skip $xp (finished)"; exit 0; fi
  sh scripts/mnist_svdd.sh cpu "$xp" "$s" adam 0.0001 150 1 0 1 "$d" -1 > /dev/null 2>&1 \
    && echo "done $xp" || echo "FAILED $xp (see log/$xp/log.txt)"
' 
