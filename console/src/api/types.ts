// The shapes of the API's answers the console reads (API.md; only the fields used here).

export interface Page<T> {
  items: T[];
  continue: string;
}

export interface Me {
  user: string;
  admin: boolean;
  groups: string[];
  source: string;
  mustChangePassword: boolean;
  projects: string[];
  permissions: string[];
}

export interface Project {
  name: string;
  displayName: string;
  description: string;
  createdAt: string;
  resourceVersion: number;
}

// GET /projects/{p}/summary: apps by state and what they take, per environment and in all.
export interface HealthCounts {
  healthy: number;
  progressing: number;
  failed: number;
  offline: number;
  notDeployed: number;
}

export interface Usage {
  instances: { desired: number; ready: number };
  cpuLimitMillis: number;
  memoryLimitBytes: number;
  cpuRequestMillis: number;
  memoryRequestBytes: number;
  unlimitedInstances: number;
}

export interface ProjectSummary {
  project: string;
  apps: number;
  health: HealthCounts;
  usage: Usage;
  environments: { name: string; apps: HealthCounts; usage: Usage }[];
}

export interface Environment {
  name: string;
  project: string;
  clusters: string[];
  namespace: string;
  policy: { production?: boolean };
}

export interface Port {
  name: string;
  port: number;
  protocol?: string;
}

export interface AppSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Port[];
  env?: Record<string, string>;
  resources?: { cpu?: string; memory?: string };
  qos?: string;
  replicas?: number;
  healthCheck?: unknown;
  strategy?: unknown;
}

export interface ClusterStatus {
  cluster: string;
  ready: number;
  desired: number;
  status?: string;
  message?: string;
}

export interface EnvStatus {
  revision: number;
  kind: string;
  status: string;
  image: string;
  replicas: number;
  ready: number;
  offline: boolean;
  reason?: string;
  clusters: ClusterStatus[];
}

export interface App extends AppSpec {
  project: string;
  resourceVersion: number;
  status?: Record<string, EnvStatus>;
}

export interface Release {
  revision: number;
  app: string;
  environment: string;
  image: string;
  imageDigest?: string;
  configVersion?: number;
  replicas: number;
  spec: AppSpec;
  kind: string;
  rollbackOf?: number;
  status: string;
  message?: string;
  reason?: string;
  createdBy: string;
  createdAt: string;
  finishedAt?: string;
  clusters: ClusterStatus[];
}

export interface Instance {
  name: string;
  state: string;
  ready: boolean;
  restarts: number;
  address: string;
  cluster: string;
  node: string;
  startedAt: string;
  release: number;
}

export interface Cluster {
  name: string;
  type: string;
  createdAt: string;
  version?: string;
  status?: string;
}

export interface Role {
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
}

export interface Binding {
  id: number | string;
  kind: 'user' | 'group';
  subject: string;
  role: string;
  environments: string[];
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  method: string;
  target: string;
  project: string;
  remote: string;
  result: string;
}

export interface ConfigItem {
  key: string;
  value: string;
  type: string;
  comment: string;
  secret: boolean;
}

export interface ConfigChange {
  change: 'added' | 'removed' | 'changed' | string;
  key: string;
  oldValue?: string;
  newValue?: string;
  secret?: boolean;
}

export interface ConfigProblem {
  field?: string;
  key: string;
  message: string;
}

export interface ConfigDraft {
  baseVersion: number;
  items: ConfigItem[];
  changes: ConfigChange[];
  problems: ConfigProblem[];
  resourceVersion: number;
  updatedAt: string;
  updatedBy: string;
}

export interface ConfigVersion {
  version: number;
  message?: string;
  createdBy?: string;
  createdAt?: string;
  items?: ConfigItem[];
}

export interface Tag {
  name: string;
  image: string;
}
