#!/usr/bin/env bash
# Pod network of the single-node cluster: a CNI bridge (podgroup0, $POD_CIDR) and the host
# settings it needs. Everything added here is tagged so that `down` removes exactly it.
#   up      CNI conflist (bridge + host-local + loopback), net.ipv4.ip_forward=1, FORWARD ACCEPT
#           rules for the bridge tagged with the comment "$IPT_COMMENT" (dockerd sets the FORWARD
#           policy to DROP). The bridge itself is made by the CNI plugin for the first pod.
#   down    removes the veths left on the bridge, the bridge, the tagged iptables rules and the
#           IP allocations (run after the pods were removed through CRI).
#   check   fails if anything of the pod network is left (bridge, veth, rule).
# No ipMasq and no portmap: pods need no way out (no internet here) and get no hostPort,
# so the plugins create no iptables chains of their own.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"

CNI_CONF_DIR=$CLUSTER_STATE/cni/net.d
CNI_IPAM_DIR=$CLUSTER_STATE/cni/ipam
CNI_BIN_DIR=/usr/lib/cni

ip_int() { local IFS=.; set -- $1; echo $(((($1 * 256 + $2) * 256 + $3) * 256 + $4)); }

# The pod CIDR must not overlap any route already on the host (docker0 is 172.17.0.0/16).
check_cidr() {
  local pnet=${POD_CIDR%/*} plen=${POD_CIDR#*/} dst dev net len lo1 hi1 lo2 hi2
  lo1=$(ip_int "$pnet"); hi1=$((lo1 + (1 << (32 - plen)) - 1))
  while read -r dst dev; do
    [[ $dst == default || $dev == "$CNI_BRIDGE" ]] && continue
    net=${dst%/*}; len=32; [[ $dst == */* ]] && len=${dst#*/}
    lo2=$(ip_int "$net"); lo2=$((lo2 & ~((1 << (32 - len)) - 1) & 0xffffffff)); hi2=$((lo2 + (1 << (32 - len)) - 1))
    if ((lo1 <= hi2 && lo2 <= hi1)); then
      die "pod CIDR $POD_CIDR overlaps the host route $dst (dev $dev): change POD_CIDR in scripts/cluster/lib/paths.sh"
    fi
  done < <(ip -4 route show | awk '{d = ""; for (i = 1; i < NF; i++) if ($i == "dev") d = $(i + 1); print $1, d}')
}

rules() {  # the FORWARD rules, one per line, as iptables arguments
  echo "-i $CNI_BRIDGE -m comment --comment $IPT_COMMENT -j ACCEPT"
  echo "-o $CNI_BRIDGE -m comment --comment $IPT_COMMENT -j ACCEPT"
}

up() {
  [[ -x $CNI_BIN_DIR/bridge && -x $CNI_BIN_DIR/host-local ]] \
    || die "CNI plugins missing in $CNI_BIN_DIR (apt-get install containernetworking-plugins)"
  check_cidr
  mkdir -p "$CNI_CONF_DIR" "$CNI_IPAM_DIR"
  cat >"$CNI_CONF_DIR/10-podgroup.conflist.tmp" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "podgroup",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$CNI_IPAM_DIR",
        "ranges": [[{ "subnet": "$POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    }
  ]
}
EOF
  mv -f "$CNI_CONF_DIR/10-podgroup.conflist.tmp" "$CNI_CONF_DIR/10-podgroup.conflist"
  if [[ $(cat /proc/sys/net/ipv4/ip_forward) != 1 ]]; then
    echo 1 >/proc/sys/net/ipv4/ip_forward
    log "net.ipv4.ip_forward set to 1 (left on by down: Docker needs it too)"
  fi
  local r
  while read -r r; do
    # shellcheck disable=SC2086
    iptables -w -C FORWARD $r 2>/dev/null || iptables -w -I FORWARD 1 $r
  done < <(rules)
}

down() {
  local dev
  if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then
    for dev in $(ip -o link show master "$CNI_BRIDGE" | awk -F': ' '{sub(/@.*/, "", $2); print $2}'); do
      ip link del "$dev" 2>/dev/null || true
    done
    ip link del "$CNI_BRIDGE"
    log "removed bridge $CNI_BRIDGE"
  fi
  # Every rule carrying our comment, in any chain of the filter table.
  local spec n=0
  while read -r spec; do
    # shellcheck disable=SC2086
    eval "iptables -w -D ${spec#-A }" && n=$((n + 1))
  done < <(iptables -w -S | grep -- "--comment $IPT_COMMENT" || true)
  ((n == 0)) || log "removed $n iptables rules tagged $IPT_COMMENT"
  rm -rf "$CNI_IPAM_DIR"
}

check() {
  local left=()
  ip link show "$CNI_BRIDGE" >/dev/null 2>&1 && left+=("bridge $CNI_BRIDGE")
  iptables -w -S | grep -q -- "--comment $IPT_COMMENT" && left+=("iptables rules tagged $IPT_COMMENT")
  iptables -w -t nat -S | grep -q 'name: "podgroup"' && left+=("CNI nat rules")
  ((${#left[@]} == 0)) || { log "pod network leftovers: ${left[*]}"; return 1; }
}

case ${1:-} in
  up) up ;;
  down) down ;;
  check) check ;;
  *) echo "usage: $0 up|down|check" >&2; exit 2 ;;
esac
