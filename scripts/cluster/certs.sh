#!/usr/bin/env bash
# Certificates and kubeconfigs of the single-node cluster, made with openssl (ECDSA P-256).
# Kept across `down`: the CA and client certificates are made once; the certificates that
# name the node's IP (apiserver, kubelet serving) are remade when that IP changes.
# Usage: scripts/cluster/certs.sh        (called by scripts/cluster.sh up)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"
. "$(dirname "$0")/lib/node.sh"

DAYS=3650
mkdir -p "$CLUSTER_PKI"
chmod 700 "$CLUSTER_PKI"
cd "$CLUSTER_PKI"

newkey() { [[ -f $1.key ]] || openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null; }

# sign NAME SUBJECT EXTENSIONS: NAME.crt signed by the cluster CA (reuses NAME.key).
sign() {
  local name=$1 subj=$2 ext=$3
  newkey "$name"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
    -days "$DAYS" -out "$name.crt" -extfile <(printf '%s\n' "$ext") 2>/dev/null
  rm -f "$name.csr"
}

client_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'
server_ext() {
  printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' "subjectAltName=$1"
}

made=()
if [[ ! -f ca.crt || ! -f ca.key ]]; then
  newkey ca
  openssl req -x509 -new -key ca.key -subj "/CN=podgroup-cluster-ca" -days "$DAYS" -out ca.crt \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'
  # A new CA invalidates every certificate signed by the old one.
  find . -name '*.crt' ! -name ca.crt -delete
  made+=(ca)
fi

client() {  # client NAME SUBJECT
  [[ -f $1.crt ]] && return 0
  sign "$1" "$2" "$client_ext"
  made+=("$1")
}
client admin "/O=system:masters/CN=podgroup-admin"
client apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
client controller-manager "/CN=system:kube-controller-manager"
client scheduler "/CN=system:kube-scheduler"
client kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME"

# Certificates that name this node's IP.
node_ip=$(node_ip)
if [[ ! -f apiserver.crt || ! -f kubelet-serving.crt || $(cat .node-ip 2>/dev/null) != "$node_ip" ]]; then
  api_ip=${SERVICE_CIDR%.*/*}.1  # 10.96.0.1, the `kubernetes` Service
  sign apiserver "/CN=kube-apiserver" "$(server_ext "IP:127.0.0.1,IP:$node_ip,IP:$api_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local")"
  sign kubelet-serving "/CN=$NODE_NAME" "$(server_ext "IP:127.0.0.1,IP:$node_ip,DNS:$NODE_NAME,DNS:localhost")"
  echo "$node_ip" >.node-ip
  made+=("apiserver+kubelet-serving for $node_ip")
fi

# Service-account token signing key pair.
if [[ ! -f sa.key || ! -f sa.pub ]]; then
  newkey sa
  openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null
  made+=(service-account)
fi

# kubeconfig NAME CERT: $CLUSTER_STATE/NAME.kubeconfig authenticating with CERT.crt/.key.
kubeconfig() {
  local name=$1 cert=$2 f=$CLUSTER_STATE/$1.kubeconfig
  local tmp=$f.tmp
  cat >"$tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: podgroup
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 ca.crt)
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 "$cert.crt")
    client-key-data: $(base64 -w0 "$cert.key")
contexts:
- name: podgroup
  context: {cluster: podgroup, user: $name, namespace: default}
current-context: podgroup
EOF
  chmod 600 "$tmp"
  if cmp -s "$tmp" "$f"; then rm -f "$tmp"; else mv -f "$tmp" "$f"; fi
}
kubeconfig admin admin
kubeconfig controller-manager controller-manager
kubeconfig scheduler scheduler
kubeconfig kubelet kubelet-client
chmod 600 ./*.key

if ((${#made[@]})); then log "certificates made: ${made[*]} (in $CLUSTER_PKI)"
else log "certificates reused from $CLUSTER_PKI"; fi
