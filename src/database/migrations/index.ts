import { CreateAutoseo1732500000000 } from './1732500000000-create-autoseo';
import { QueueOperations1732600000000 } from './1732600000000-queue-operations';
import { ContextAiMs1732714000000 } from './1732714000000-context-ai-ms';
import { CredentialsAudit1732716000000 } from './1732716000000-credentials-audit';
import { ListAndCountIndexes1732730000000 } from './1732730000000-list-and-count-indexes';
import { RecordsSearch1732740000000 } from './1732740000000-records-search';
import { OpenJobsIndex1732750000000 } from './1732750000000-open-jobs-index';

// Listed by class (not by glob) so the same list works from ts-node, Jest and dist/.
export const MIGRATIONS = [
  CreateAutoseo1732500000000,
  QueueOperations1732600000000,
  ContextAiMs1732714000000,
  CredentialsAudit1732716000000,
  ListAndCountIndexes1732730000000,
  RecordsSearch1732740000000,
  OpenJobsIndex1732750000000,
];
