// Splits messages into groups a queue takes in one sendBatch call: at most `maxCount` messages
// and `maxBytes` of message bodies per group, in their order. A message larger than `maxBytes`
// goes alone (the queue then says whether it takes it).

export interface SendLimits {
  maxCount: number;
  maxBytes: number;
}

export function sendGroups<T>(items: T[], bytesOf: (item: T) => number, limits: SendLimits): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (group.length > 0 && (group.length >= limits.maxCount || bytes + size > limits.maxBytes)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
