# node_ip: the IPv4 address of the interface holding the default route (the node's
# InternalIP; kubelet refuses a loopback node IP). Falls back to the first global IPv4 address
# that is neither Docker's nor the cluster's bridge.
node_ip() {
  local ip
  local dev
  dev=$(ip -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')
  [[ -n $dev ]] && ip=$(ip -4 -o addr show dev "$dev" scope global | awk '{split($4, a, "/"); print a[1]; exit}')
  if [[ -z $ip ]]; then
    ip=$(ip -4 -o addr show scope global | awk '$2 != "docker0" && $2 !~ /^(br-|podgroup)/ {split($4, a, "/"); print a[1]; exit}')
  fi
  [[ -n $ip ]] || die "no IPv4 address found for the node (ip -4 addr)"
  echo "$ip"
}
