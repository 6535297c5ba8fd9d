/**
 * Who acted, as the API's verified token said. One shape for every process: a change request,
 * an incident action and a problem command all carry it.
 */
export interface Actor {
  id: string;
  name: string;
}
