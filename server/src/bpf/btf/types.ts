// The BTF type model shared by the reader, the loader, the verifier and the knowledge base.
// Type id 0 is void; types[i] has id i (types[0] is a placeholder of kind VOID).

export const enum BtfKind {
  VOID = 0, INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8,
  VOLATILE = 9, CONST = 10, RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15,
  FLOAT = 16, DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19,
}

export interface BtfMember { name: string; type: number; /** bit offset */ offset: number; bitfieldSize: number }
export interface BtfParam { name: string; type: number }
export interface BtfEnumValue { name: string; value: bigint }
export interface BtfVarSecinfo { type: number; offset: number; size: number }

export interface BtfType {
  id: number;
  kind: BtfKind;
  name: string;
  /** size for INT/STRUCT/UNION/ENUM/ENUM64/FLOAT/DATASEC; 0 otherwise */
  size: number;
  /** referenced type for PTR/TYPEDEF/VOLATILE/CONST/RESTRICT/FUNC/VAR/DECL_TAG/TYPE_TAG; return type for FUNC_PROTO */
  type: number;
  /** INT: encoding flags (1 signed, 2 char, 4 bool), bit offset, bits */
  intEncoding?: number; intOffset?: number; intBits?: number;
  /** ARRAY */
  array?: { elemType: number; indexType: number; nelems: number };
  /** STRUCT/UNION */
  members?: BtfMember[];
  /** FUNC_PROTO */
  params?: BtfParam[];
  /** ENUM/ENUM64 (signed flag from kind_flag) */
  enumValues?: BtfEnumValue[]; enumSigned?: boolean;
  /** FUNC: linkage (0 static, 1 global, 2 extern); VAR: linkage (0 static, 1 global, 2 extern) */
  linkage?: number;
  /** FUNC only: overrides the linkage as a loader does (libbpf marks hidden global subprograms static); absent on plain records */
  setFuncLinkage?(linkage: number): void;
  /** DATASEC */
  secinfo?: BtfVarSecinfo[];
  /** DECL_TAG: component index (-1 for the whole type) */
  componentIdx?: number;
  /** FWD: true for union */
  kindFlag?: boolean;
}
