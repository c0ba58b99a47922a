#!/usr/bin/env bash
# image-name.sh FOLDER - the local tag of the connector whose metadata.yaml is in FOLDER:
# localhost/<dockerRepository>:<dockerImageTag> (what build-connectors.sh builds and cdk-image-tests.sh runs).
set -euo pipefail
metadata="$1/metadata.yaml"
repository=$(sed -n 's/^ *dockerRepository: *//p' "$metadata")
tag=$(sed -n 's/^ *dockerImageTag: *//p' "$metadata")
if [ -z "$repository" ] || [ -z "$tag" ]; then
  echo "image-name.sh: no dockerRepository/dockerImageTag in $metadata" >&2
  exit 1
fi
echo "localhost/$repository:$tag"
