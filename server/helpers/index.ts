import accessLevelLabel from './accessLevelLabel';
import documentStateLabel from './documentStateLabel';
import eq from './eq';
import formatDate from './formatDate';
import formatDateTime from './formatDateTime';
import formatNumber from './formatNumber';
import roleLabel from './roleLabel';

export const helpers = { accessLevelLabel, documentStateLabel, eq, formatDate, formatDateTime, formatNumber, roleLabel };
