// Starts the language server on a connection (stdio, node-ipc or socket, from the command line).
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import { BpflsServer } from './server';

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  let server: BpflsServer | undefined;
  connection.onInitialize(async (params) => {
    server = await BpflsServer.initialize(connection, params);
    server.register();
    return server.initializeResult();
  });
  connection.listen();
  return connection;
}
