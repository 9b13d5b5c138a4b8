import {
  MemoryAcknowledgementStore,
  MemoryAuditStore,
  MemoryFeedbackStore,
} from '../../../functions/adapters/memory/audit-store';
import { MemoryReplayCache } from '../../../functions/adapters/memory/replay-cache';
import { describeAuditStoreContract } from '../audit-store.contract';

describeAuditStoreContract('memory doubles', async () => {
  const feedback = new MemoryFeedbackStore();
  const replay = new MemoryReplayCache();
  const acknowledgements = new MemoryAcknowledgementStore();
  return {
    audit: new MemoryAuditStore(),
    feedback,
    otherFeedback: feedback,
    replay,
    otherReplay: replay,
    acknowledgements,
    otherAcknowledgements: acknowledgements,
  };
});
