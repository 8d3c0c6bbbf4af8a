#!/usr/bin/env bash
# mkimage.sh ROOTFS OUT.tar NAME [CMD-JSON]: write an OCI image layout tar (one uncompressed
# layer) of the directory ROOTFS, named NAME (e.g. localhost/cove-busybox:latest), whose config's
# Cmd is CMD-JSON (default ["sh"]), for `ctr image import` or `podman load`.  No registry, no
# network: the image is built from the test rootfs.
set -euo pipefail
rootfs=$1 out=$2 name=$3 cmd=${4:-'["sh"]'}
work=$(mktemp -d "${TMPDIR:-/tmp}/cove-mkimage.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blobs/sha256"

# put FILE into blobs/ under its digest; prints "DIGEST SIZE"
blob() {
  local d s
  d=$(sha256sum "$1" | cut -d' ' -f1)
  s=$(stat -c %s "$1")
  mv "$1" "$work/blobs/sha256/$d"
  echo "sha256:$d $s"
}

tar --numeric-owner -C "$rootfs" -cf "$work/layer" .
read -r layer_digest layer_size < <(blob "$work/layer")

jq -n --arg diff "$layer_digest" --argjson cmd "$cmd" '{
  architecture: "amd64", os: "linux",
  config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: $cmd},
  rootfs: {type: "layers", diff_ids: [$diff]}
}' >"$work/config"
read -r config_digest config_size < <(blob "$work/config")

jq -n --arg cd "$config_digest" --argjson cs "$config_size" --arg ld "$layer_digest" --argjson ls "$layer_size" '{
  schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]
}' >"$work/manifest"
read -r manifest_digest manifest_size < <(blob "$work/manifest")

jq -n --arg md "$manifest_digest" --argjson ms "$manifest_size" --arg name "$name" '{
  schemaVersion: 2,
  manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
    annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": ($name | sub(".*:"; ""))}}]
}' >"$work/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
tar -C "$work" -cf "$out" oci-layout index.json blobs
