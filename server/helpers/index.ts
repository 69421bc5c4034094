import accessLevelLabel from './accessLevelLabel';
import documentStateLabel from './documentStateLabel';
import eq from './eq';
import formatDateTime from './formatDateTime';
import formatNumber from './formatNumber';
import roleLabel from './roleLabel';

export const helpers = { accessLevelLabel, documentStateLabel, eq, formatDateTime, formatNumber, roleLabel };
