// TLS forced in transit: every RDS instance and Aurora cluster uses a parameter group of the stack that refuses
// unencrypted connections.
import { Cluster as RdsCluster, ClusterParameterGroup, Instance as RdsInstance, ParameterGroup } from "@pulumi/aws/rds";
import { awsLabel, isAuroraEngine, linkedResources } from "./lib/aws";
import { stackPolicy, StackSubject, typeOf } from "./lib/define";
import { Report } from "./lib/report";
import { get, isSet, isUnknown, list, show } from "./lib/values";

interface TlsRule {
  engine: RegExp;
  parameter: string;
  values: readonly string[];
}

// The parameter that makes each engine refuse unencrypted connections.
const FORCE_TLS: readonly TlsRule[] = [
  { engine: /postgres/, parameter: "rds.force_ssl", values: ["1"] },
  { engine: /mysql|mariadb/, parameter: "require_secure_transport", values: ["1", "ON", "on", "true"] },
  { engine: /sqlserver/, parameter: "rds.force_ssl", values: ["1"] },
];

const INSTANCE_TYPE = typeOf(RdsInstance);
const CLUSTER_TYPE = typeOf(RdsCluster);
const PARAMETER_GROUP_TYPE = typeOf(ParameterGroup);
const CLUSTER_PARAMETER_GROUP_TYPE = typeOf(ClusterParameterGroup);

/** A database's engine; a read replica inherits its source's, found by identifier or ARN. */
function engineOf(resources: StackSubject[], db: StackSubject): unknown {
  const engine = get(db.props, "engine");
  const source = get(db.props, "replicateSourceDb");
  if (isSet(engine) || !isSet(source)) {
    return isUnknown(source) && engine === undefined ? source : engine;
  }
  const primary = resources.find(
    (r) => r.type === INSTANCE_TYPE && r !== db && [get(r.props, "identifier"), get(r.props, "arn")].includes(source),
  );
  return primary === undefined ? undefined : get(primary.props, "engine");
}

function checkForcedTls(resources: StackSubject[], db: StackSubject, report: Report): void {
  const label = awsLabel(db);
  const engine = engineOf(resources, db);
  if (!report.known(engine, `${label} engine`, db.urn)) {
    return;
  }
  const isCluster = db.type === CLUSTER_TYPE;
  if (!isCluster && isAuroraEngine(engine)) {
    return;
  }
  const rule = FORCE_TLS.find((r) => typeof engine === "string" && r.engine.test(engine));
  if (rule === undefined) {
    return;
  }
  const field = isCluster ? "dbClusterParameterGroupName" : "parameterGroupName";
  const groupKind = isCluster ? "ClusterParameterGroup" : "ParameterGroup";
  const fix = `create a ${groupKind} with ${rule.parameter} = ${rule.values[0]} and set ${field} to it`;
  const groups = linkedResources(
    resources,
    db,
    field,
    [isCluster ? CLUSTER_PARAMETER_GROUP_TYPE : PARAMETER_GROUP_TYPE],
    report,
    label,
  );
  if (groups === undefined) {
    return;
  }
  if (groups.length === 0) {
    const name = get(db.props, field);
    const which = isSet(name)
      ? `parameter group ${show(name)}, which this stack does not manage,`
      : "the engine's default parameter group, which";
    report.fail(
      `${label} must force TLS through its parameter group; it uses ${which} does not set ${rule.parameter}: ${fix}.`,
      db.urn,
    );
    return;
  }
  for (const group of groups) {
    const parameters = list(group.props, "parameters");
    if (!report.known(parameters, `${awsLabel(group)} parameters`, group.urn)) {
      continue;
    }
    const forced = parameters.some(
      (p) => get(p, "name") === rule.parameter && rule.values.includes(String(get(p, "value"))),
    );
    if (!forced) {
      report.fail(
        `${label} must force TLS through its parameter group; ${groupKind} "${group.name}" does not set ${rule.parameter} = ${rule.values[0]}: add that parameter.`,
        db.urn,
      );
    }
  }
}

export const rdsTlsEnforced = stackPolicy({
  name: "rds-tls-enforced",
  description:
    "Checks whether every RDS instance and Aurora cluster uses a parameter group of this stack that forces TLS (rds.force_ssl or require_secure_transport).",
  check: (resources, _config, report) => {
    for (const db of resources) {
      if (db.type === INSTANCE_TYPE || db.type === CLUSTER_TYPE) {
        checkForcedTls(resources, db, report);
      }
    }
  },
});
