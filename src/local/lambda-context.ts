import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The Context Lambda hands a function, with the remaining time counting down to `deadline`. */
export const lambdaContext = (functionName: string, deadline: number, region = 'us-east-1'): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
  memoryLimitInMB: '10240',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
