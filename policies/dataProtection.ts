// Data protection: databases private, backed up, and protected from deletion.
import { Cluster as RdsCluster, ClusterInstance, Instance as RdsInstance } from "@pulumi/aws/rds";
import { resourcePolicy, typeOf } from "./lib/define";
import { get, isSet, show } from "./lib/values";
import { awsLabel, isAuroraEngine } from "./lib/aws";

export const rdsNotPubliclyAccessible = resourcePolicy({
  name: "rds-not-publicly-accessible",
  description: "Checks whether RDS instances and Aurora cluster instances are not publicly accessible.",
  resources: [RdsInstance, ClusterInstance],
  check: (subject, _config, report) => {
    const label = awsLabel(subject);
    const open = get(subject.props, "publiclyAccessible");
    if (report.known(open, `${label} publiclyAccessible`) && open === true) {
      report.fail(
        `${label} must not be publicly accessible; set publiclyAccessible: false and reach it from the cluster's private subnets.`,
      );
    }
  },
});

export interface BackupConfig {
  /** Fewest days of automated backups a database may keep. */
  minimumDays: number;
}

export const rdsBackupRetention = resourcePolicy<BackupConfig>({
  name: "rds-backup-retention",
  description:
    "Checks whether RDS instances and Aurora clusters keep automated backups for at least the stack's minimum number of days.",
  resources: [RdsInstance, RdsCluster],
  defaults: { minimumDays: 7 },
  configSchema: { properties: { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 7 } } },
  check: (subject, config, report) => {
    const label = awsLabel(subject);
    if (subject.type === typeOf(RdsInstance)) {
      // Read replicas are restored from their source's backups; Aurora instances back up through the cluster.
      const source = get(subject.props, "replicateSourceDb");
      const engine = get(subject.props, "engine");
      if (!report.known(source, `${label} replicateSourceDb`) || isSet(source)) {
        return;
      }
      if (!report.known(engine, `${label} engine`) || isAuroraEngine(engine)) {
        return;
      }
    }
    const days = get(subject.props, "backupRetentionPeriod");
    if (
      report.known(days, `${label} backupRetentionPeriod`) &&
      !(typeof days === "number" && days >= config.minimumDays)
    ) {
      report.fail(
        `${label} must set backupRetentionPeriod to at least ${config.minimumDays} days on this stack (it is ${show(days)}); raise it or lower minimumDays in this stack's policy config.`,
      );
    }
  },
});

export const rdsDeletionProtection = resourcePolicy({
  name: "rds-deletion-protection",
  description:
    "Checks whether RDS instances and Aurora clusters have deletion protection on (read replicas, which hold no data of their own, are exempt).",
  resources: [RdsInstance, RdsCluster],
  check: (subject, _config, report) => {
    const label = awsLabel(subject);
    const source = get(subject.props, "replicateSourceDb");
    if (!report.known(source, `${label} replicateSourceDb`) || isSet(source)) {
      return;
    }
    const on = get(subject.props, "deletionProtection");
    if (report.known(on, `${label} deletionProtection`) && on !== true) {
      report.fail(
        `${label} must set deletionProtection: true (it is ${show(on)}); turn it off in a reviewed change before a planned teardown.`,
      );
    }
  },
});
