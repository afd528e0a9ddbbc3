#!/bin/bash
# Start apache/kafka in KRaft mode with a SCRAM-SHA-512 user `ohts`: the image's own launcher
# formats the store without SCRAM credentials, so this formats it first (once) with them.
set -euo pipefail
: "${KAFKA_SCRAM_PASSWORD:?}"
props=/opt/kafka/config/server.properties
/etc/kafka/docker/configure  # the image's step that writes server.properties from KAFKA_* env
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  /opt/kafka/bin/kafka-storage.sh format --ignore-formatted \
    --cluster-id "${CLUSTER_ID:-$(/opt/kafka/bin/kafka-storage.sh random-uuid)}" \
    --config "$props" \
    --add-scram "SCRAM-SHA-512=[name=ohts,password=${KAFKA_SCRAM_PASSWORD}]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$props"
