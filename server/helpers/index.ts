import concat from './concat';
import accessLevelLabel from './accessLevelLabel';
import documentStateLabel from './documentStateLabel';
import encodeUriComponent from './encodeUriComponent';
import eq from './eq';
import formatDate from './formatDate';
import formatDateTime from './formatDateTime';
import formatNumber from './formatNumber';
import gt from './gt';
import roleLabel from './roleLabel';

export const helpers = { accessLevelLabel, concat, documentStateLabel, encodeUriComponent, eq, formatDate, formatDateTime, formatNumber, gt, roleLabel };
