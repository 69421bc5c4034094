import concat from './concat';
import accessLevelLabel from './accessLevelLabel';
import documentStateLabel from './documentStateLabel';
import encodeUriComponent from './encodeUriComponent';
import ente from './ente';
import eq from './eq';
import formatCep from './formatCep';
import formatCnpj from './formatCnpj';
import formatCpf from './formatCpf';
import formatCpfCnpj from './formatCpfCnpj';
import formatDate from './formatDate';
import formatDateTime from './formatDateTime';
import formatNumber from './formatNumber';
import formatPhone from './formatPhone';
import gt from './gt';
import or from './or';
import roleLabel from './roleLabel';

export const helpers = {
  accessLevelLabel,
  concat,
  documentStateLabel,
  encodeUriComponent,
  ente,
  eq,
  formatCep,
  formatCnpj,
  formatCpf,
  formatCpfCnpj,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPhone,
  gt,
  or,
  roleLabel,
};
