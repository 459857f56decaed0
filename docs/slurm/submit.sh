#!/bin/bash
# Submit a chapter's sharded run: the shard array once per pass the chapter needs (each pass
# after the last one succeeded), then the merge after the last pass. Prints the job ids.
#
#   docs/slurm/submit.sh CHAPTER [PROFILE]      e.g. docs/slurm/submit.sh statics full
set -euo pipefail
CHAPTER="${1:?usage: submit.sh CHAPTER [PROFILE]}"
PROFILE="${2:-full}"
export CHAPTER PROFILE
here="$(dirname "$0")"
case "$CHAPTER" in      # passes per chapter: geneft.runner.SHARDED (a test checks they agree)
    repons) passes=1 ;;
    statics|duality) passes=2 ;;
    goldilocks|fieldtheory) passes=3 ;;
    twolayer) passes=4 ;;
    *) echo "submit.sh: chapter '$CHAPTER' has nothing to split;" \
            "chapters: statics, goldilocks, repons, fieldtheory, twolayer, duality" >&2
       exit 2 ;;
esac

job="$(sbatch --parsable "$here/shard.sbatch")"
echo "shards, pass 1: job ${job%%;*}"
for pass in $(seq 2 "$passes"); do
    job="$(sbatch --parsable --dependency="afterok:${job%%;*}" "$here/shard.sbatch")"
    echo "shards, pass $pass: job ${job%%;*}"
done
job="$(sbatch --parsable --dependency="afterok:${job%%;*}" "$here/merge.sbatch")"
echo "merge: job ${job%%;*}"
