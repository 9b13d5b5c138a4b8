import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TableDefinition } from '../../functions/adapters/dynamodb/tables';

export interface DataTableProps {
  /** The table's keys, indexes and TTL attribute, shared with the service's ensureTables. */
  definition: TableDefinition;
  tableName: string;
  encryptionKey: IKey;
}

/**
 * One of Tailor's tables, built from the same definition the service uses locally: on-demand, encrypted
 * with the stage's customer-managed key, point-in-time recovery, deletion protection, retained when the
 * stack goes.
 */
export class DataTable extends Construct {
  readonly table: Table;
  readonly definition: TableDefinition;

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;
    const key = (k: { name: string; type: 'S' }) => ({ name: k.name, type: AttributeType.STRING });
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: key(definition.partitionKey),
      sortKey: key(definition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
    });
    for (const index of definition.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        ...(index.sortKey ? { sortKey: key(index.sortKey) } : {}),
      });
    }
  }

  /** ARNs a policy needs for the table and, when it has any, its indexes. */
  resourceArns(): string[] {
    return this.definition.globalSecondaryIndexes.length > 0
      ? [this.table.tableArn, `${this.table.tableArn}/index/*`]
      : [this.table.tableArn];
  }
}
