#!/bin/bash
# Start one apache/kafka node (KRaft, broker and controller) with a SCRAM-SHA-512 user `ohts`.
# The image's launcher formats the store without SCRAM credentials, so this script does the
# image's steps itself: it writes server.properties from the KAFKA_* variables by the image's
# documented rule, formats the store once with the user, and starts the node. Every node of
# the cluster gets the same CLUSTER_ID and user. SCRAM_PASSWORD has no KAFKA_ prefix on
# purpose: every KAFKA_* variable becomes a server property.
#   kafka-sasl.sh --render    print the properties and stop (tests/unit/test_deployment.py)
set -euo pipefail

# The apache/kafka image's rule (docker/examples/README.md; KafkaDockerWrapper): drop the
# KAFKA_ prefix, lower case, then "_" is ".", "___" is "-" and "__" is "_".
render_properties() {
  local var key
  for var in ${!KAFKA_@}; do
    case "$var" in
      KAFKA_OPTS | KAFKA_HEAP_OPTS | KAFKA_JMX_OPTS | KAFKA_LOG4J_OPTS | KAFKA_GC_LOG_OPTS | \
        KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_VERSION | KAFKA_JMX_HOSTNAME | KAFKA_LOG4J_* | \
        KAFKA_TOOLS_LOG4J_LOGLEVEL) continue ;;
    esac
    key=${var#KAFKA_}
    key=${key,,}
    key=${key//_/.}
    key=${key//.../-}
    key=${key//../_}
    printf '%s=%s\n' "$key" "${!var}"
  done
}

if [ "${1:-}" = "--render" ]; then
  render_properties
  exit 0
fi

: "${SCRAM_PASSWORD:?}" "${CLUSTER_ID:?}"
props=/opt/kafka/config/server.properties
render_properties > "$props"
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  /opt/kafka/bin/kafka-storage.sh format --ignore-formatted \
    --cluster-id "$CLUSTER_ID" --config "$props" \
    --add-scram "SCRAM-SHA-512=[name=ohts,password=${SCRAM_PASSWORD}]"
fi
# Client settings for the health check (kafka-broker-api-versions.sh over SASL).
umask 077
cat > /tmp/ohts-client.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ohts" password="${SCRAM_PASSWORD}";
PROPS
exec /opt/kafka/bin/kafka-server-start.sh "$props"
