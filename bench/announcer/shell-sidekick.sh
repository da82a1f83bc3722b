#!/usr/bin/env bash
# The tutorials' sidekick, as they write it (CoreOS docs, nginx-discovery@.service), with etcd v3's etcdctl:
# probe the app, put the key under a fresh TTL lease, or delete it; then sleep. The baseline the
# announcer is measured against in bench/announcer/run.
# usage: shell-sidekick.sh KEY HOST:PORT ENDPOINTS TTL INTERVAL
key=$1 address=$2 endpoints=$3 ttl=$4 interval=$5
export ETCDCTL_API=3
while true; do
    if curl -fs -o /dev/null --max-time 2 "http://$address/"; then
        lease=$(etcdctl --endpoints="$endpoints" lease grant "$ttl" | awk '{print $2}')
        etcdctl --endpoints="$endpoints" put "$key" "$address" --lease="$lease" >/dev/null
    else
        etcdctl --endpoints="$endpoints" del "$key" >/dev/null
    fi
    sleep "$interval"
done
