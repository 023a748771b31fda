source ../lib.sh
tpl=$(mktemp)
cat >"$tpl" <<'EOF'
heat_template_version: 2018-08-31
resources:
  marker: {type: OS::Heat::None}
outputs:
  endpoint: {value: "http://10.9.8.7:8080/"}
EOF
os stack create --wait -t "$tpl" "$BENCH_PREFIX-app" >/dev/null
rm "$tpl"
