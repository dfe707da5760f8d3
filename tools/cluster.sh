#!/usr/bin/env bash
# Local Kubernetes control plane for the `local` stack: kwokctl's binary runtime over the binaries `npm run tools`
# built (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok), bound to 127.0.0.1, never downloading.
# Nodes and pods are simulated by kwok: Deployments roll out and pods become Ready without a container runtime.
#
#   tools/cluster.sh up       create (or reuse, or restart) the cluster `slipway`, print the kubeconfig path
#   tools/cluster.sh down     delete the cluster and its data
#   tools/cluster.sh status   print whether it is running
#
# Stage objects are enabled (--enable-crds=Stage): kwok's default node and pod Stages are applied as objects, so a
# test can add its own Stage at run time (for example one that keeps a canary's pods from ever becoming Ready).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/env.sh
source "$root/tools/env.sh"

name=slipway
bin="$SLIPWAY_ENGINE_ROOT/bin"
stages="$SLIPWAY_ENGINE_ROOT/kwok-stages"
# Simulated capacity: enough for every service's stable and canary replicas at the local stack's sizes.
node_count=3
node_cpu=8
node_memory=32Gi
# The services request ephemeral storage; a node without the resource schedules none of them.
node_storage=100Gi

log() { echo "[cluster] $*"; }
die() { echo "[cluster] error: $*" >&2; exit 1; }

require_engine() {
  local b
  for b in kwokctl kwok etcd kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [ -x "$bin/$b" ] || die "$bin/$b is missing: run \`npm run tools\` first"
  done
  [ -d "$stages" ] || die "$stages is missing: run \`npm run tools\` first"
}

exists() { kwokctl get clusters 2>/dev/null | grep -qx "$name"; }

api_ready() { kubectl get --raw /readyz >/dev/null 2>&1; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$(( $(date +%s) + $1 )) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for $what"
    sleep 1
  done
}

write_config() {
  local file="$KWOK_WORKDIR/$name-kwokctl.yaml"
  mkdir -p "$KWOK_WORKDIR"
  # Every binary is a local path, so kwokctl has nothing to download; bindAddress keeps every port on loopback
  # (kwokctl's default is 0.0.0.0).
  cat >"$file" <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeApiserverBinary: $bin/kube-apiserver
  kubeControllerManagerBinary: $bin/kube-controller-manager
  kubeSchedulerBinary: $bin/kube-scheduler
  kwokControllerBinary: $bin/kwok
  etcdBinary: $bin/etcd
  kubectlBinary: $bin/kubectl
EOF
  echo "$file"
}

apply_nodes() {
  local i manifests=""
  for i in $(seq 0 $(( node_count - 1 ))); do
    manifests+="---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    type: kwok
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node-role.kubernetes.io/agent: \"\"
    topology.kubernetes.io/zone: local-$(( i % 3 ))
status:
  allocatable: {cpu: \"$node_cpu\", memory: $node_memory, ephemeral-storage: $node_storage, pods: \"110\"}
  capacity: {cpu: \"$node_cpu\", memory: $node_memory, ephemeral-storage: $node_storage, pods: \"110\"}
"
  done
  printf '%s' "$manifests" | kubectl apply -f - >/dev/null
  # apply leaves an existing node's status alone: nodes of a cluster created before a resource was added get it here.
  local storage="{\"ephemeral-storage\":\"$node_storage\"}"
  for i in $(seq 0 $(( node_count - 1 ))); do
    kubectl patch node "kwok-node-$i" --subresource=status --type=merge \
      -p "{\"status\":{\"allocatable\":$storage,\"capacity\":$storage}}" >/dev/null
  done
}

# A restarted kwok controller runs under a new identity, and it only simulates the nodes whose lease it holds. The
# leases its stopped predecessor held stay valid for their full duration (200 s), and the new controller does not
# take them over: until then no pod on those nodes ever becomes Ready. Deleting them lets it create its own at once.
node_names() { seq 0 $(( node_count - 1 )) | sed 's/^/kwok-node-/'; }
leases_held() { # every node has a lease again, all held by one (the running) controller
  local holders
  # shellcheck disable=SC2046
  holders=$(kubectl -n kube-node-lease get lease $(node_names) --ignore-not-found \
    -o jsonpath='{range .items[*]}{.spec.holderIdentity}{"\n"}{end}')
  [ "$(printf '%s\n' "$holders" | grep -c .)" -ge "$node_count" ] && [ "$(printf '%s\n' "$holders" | sort -u | grep -c .)" = 1 ]
}
release_stale_leases() {
  # shellcheck disable=SC2046
  kubectl -n kube-node-lease delete lease $(node_names) --ignore-not-found >/dev/null
  wait_for 60 "the restarted kwok controller to hold every node lease" leases_held
  log "node leases of the stopped kwok controller released"
}

nodes_ready() {
  [ "$(kubectl get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' \
    | grep -c '^True$')" -ge "$node_count" ]
}

up() {
  require_engine
  local started restarted=0
  started=$(date +%s)
  mkdir -p "$(dirname "$KUBECONFIG")"
  if exists; then
    if api_ready; then
      log "cluster $name already running"
    else
      log "cluster $name exists but is stopped: starting"
      kwokctl start cluster --name "$name" >"$KWOK_WORKDIR/start.log" 2>&1 ||
        { cat "$KWOK_WORKDIR/start.log" >&2; die "kwokctl could not start cluster $name"; }
      restarted=1
    fi
  else
    log "creating cluster $name (kube-apiserver $("$bin/kube-apiserver" --version | awk '{print $2}'), etcd, kwok; loopback only)"
    kwokctl create cluster --name "$name" --config "$(write_config)" --kubeconfig "$KUBECONFIG" \
      --enable-crds=Stage --wait 120s
  fi
  # kwokctl writes the context into the kubeconfig it is given; keep a copy of its own in the fixed path too.
  kwokctl get kubeconfig --name "$name" >"$KUBECONFIG.tmp" && mv "$KUBECONFIG.tmp" "$KUBECONFIG"
  wait_for 120 "the API server" api_ready
  wait_for 60 "the Stage resource type" kubectl get stages.kwok.x-k8s.io
  kubectl apply -f "$stages" >/dev/null
  apply_nodes
  [ "$restarted" = 0 ] || release_stale_leases
  wait_for 60 "$node_count Ready nodes" nodes_ready
  log "ready in $(( $(date +%s) - started ))s: $node_count nodes, $(kubectl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1) server"
  log "kubeconfig: $KUBECONFIG"
}

down() {
  if exists; then
    kwokctl delete cluster --name "$name" >/dev/null
    log "cluster $name deleted"
  else
    log "cluster $name does not exist"
  fi
  rm -f "$KUBECONFIG"
}

status() {
  if exists && api_ready; then
    log "cluster $name running; kubeconfig: $KUBECONFIG"
    kubectl get nodes
  elif exists; then
    log "cluster $name exists but is not serving (run: npm run cluster:up)"
    return 1
  else
    log "cluster $name does not exist (run: npm run cluster:up)"
    return 1
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: tools/cluster.sh up|down|status" >&2; exit 2 ;;
esac
