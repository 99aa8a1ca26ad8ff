import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The account each request was made by, noted by authentication for the request's log line. */
const accounts = new WeakMap<APIGatewayProxyEventV2, string>();

export const noteAccount = (event: APIGatewayProxyEventV2, accountId: string): void => {
  accounts.set(event, accountId);
};

export const accountOf = (event: APIGatewayProxyEventV2): string | undefined => accounts.get(event);
